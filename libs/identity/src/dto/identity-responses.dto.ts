import { z } from 'zod';
import { pagingFields, searchPageOf, successWith, SuccessJson, zMillis } from '@app/rest';

/** Response shapes of the identity routes (users, groups, roles, sign-in, OAuth2), for the OpenAPI document (`@Returns`). */

export const UserJson = z.object({
  id: z.string(),
  username: z.string(),
  fullName: z.string(),
  email: z.string(),
  role: z.string(),
  privileges: z.array(z.string()),
  disabled: z.boolean(),
  orgId: z.string(),
  created: zMillis,
  modified: zMillis,
});
/** Searches show e-mail and privileges only to administrators and the user. */
const UserFoundJson = UserJson.partial({ email: true, privileges: true });

const membership = z.object({ username: z.string(), memberType: z.enum(['owner', 'admin', 'member', 'none']) });

export const GroupJson = z.object({
  id: z.string(),
  title: z.string(),
  owner: z.string(),
  orgId: z.string(),
  access: z.string(),
  tags: z.array(z.string()),
  description: z.string().nullable(),
  snippet: z.string().nullable(),
  isProtected: z.boolean(),
  isInvitationOnly: z.boolean(),
  isViewOnly: z.boolean(),
  created: zMillis,
  modified: zMillis,
  userMembership: membership.optional(),
});

export const TokenJson = z.object({ token: z.string(), expires: zMillis, ssl: z.boolean() });
export const RestRootJson = z.object({ currentVersion: z.string() });
export const RestInfoJson = z.object({
  owningSystemUrl: z.string(),
  currentVersion: z.string(),
  fullVersion: z.string(),
  authInfo: z.object({ isTokenBasedSecurity: z.boolean(), tokenServicesUrl: z.string(), shortLivedTokenValidity: z.number() }),
});
export const PortalAdminRootJson = z.object({ currentVersion: z.string(), resources: z.array(z.string()) });
export const ServersJson = z.object({
  servers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      url: z.string(),
      adminUrl: z.string(),
      isHosted: z.boolean(),
      serverType: z.string(),
      serverRole: z.string(),
      serverFunction: z.string(),
    }),
  ),
});
export const PurchasesJson = z.object({ purchases: z.array(z.never()) });
export const PortalSelfJson = z.object({
  id: z.string(),
  name: z.string(),
  portalName: z.string(),
  urlKey: z.string(),
  portalHostname: z.string(),
  currentVersion: z.string(),
  isPortal: z.boolean(),
  portalMode: z.string(),
  supportsOAuth: z.boolean(),
  allSSL: z.boolean(),
  user: UserJson,
});
export const CommunitySelfJson = UserJson.extend({ groups: z.array(z.string()) });
export const UserWithGroupsJson = UserJson.extend({ groups: z.array(GroupJson) });
export const UserListJson = z.object({ ...pagingFields, users: z.array(UserJson) });
export const UsernameDoneJson = successWith({ username: z.string() });
export const UserCreatedJson = z.object({ status: z.literal('success'), username: z.string(), id: z.string() });
export const UserSearchJson = searchPageOf(UserFoundJson);
export const GroupSearchJson = searchPageOf(GroupJson);

export const GroupCreatedJson = successWith({ group: GroupJson });
export const GroupWithUsersJson = GroupJson.extend({ users: z.array(z.object({ username: z.string(), memberType: z.enum(['owner', 'admin', 'member']) })) });
export const GroupRosterJson = z.object({ owner: z.string(), admins: z.array(z.string()), users: z.array(z.string()) });
export const GroupInvitedJson = successWith({ notInvited: z.array(z.string()) });
export const GroupUsersUpdatedJson = z.object({ results: z.array(z.object({ username: z.string(), success: z.boolean() })) });
export const GroupDoneJson = successWith({ groupId: z.string() });
export const GroupUsersAddedJson = z.object({ notAdded: z.array(z.string()) });
export const GroupUsersRemovedJson = z.object({ notRemoved: z.array(z.string()) });
export const GroupApplicationsJson = z.object({ applications: z.array(z.object({ username: z.string(), fullName: z.string(), received: zMillis })) });

export const RoleJson = z.object({ id: z.string(), name: z.string(), description: z.string(), created: zMillis, modified: zMillis });
export const RoleCreatedJson = successWith({ id: z.string() });
export const RoleListJson = z.object({ ...pagingFields, roles: z.array(RoleJson) });
export const RolePrivilegesJson = z.object({ privileges: z.array(z.string()) });
export const RoleAssignedJson = successWith({ users: z.array(z.string()) });

export const UserLicenseTypesJson = z.object({ total: z.number().int(), userLicenseTypes: z.array(z.object({ id: z.string(), name: z.string() })) });
export const UserLicenseTypeUpdatedJson = successWith({ users: z.array(z.string()), userLicenseType: z.string() });
export const BulkUsersJson = successWith({
  results: z.array(z.object({ username: z.string(), success: z.boolean(), error: z.string().optional() })),
});

const accessToken = { access_token: z.string(), expires_in: z.number().int(), username: z.string(), ssl: z.boolean() };
/** A code redeemed (with a refresh token), a refresh (an access token), or `suspend_session` (`{success: true}`). */
export const OAuthTokenJson = z.union([
  z.object({ ...accessToken, refresh_token: z.string(), refresh_token_expires_in: z.number().int() }),
  z.object(accessToken),
  SuccessJson,
]);
