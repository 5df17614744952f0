import {
  DomainEventEntity,
  GroupEntity,
  GroupMemberEntity,
  ItemEntity,
  ItemShareEntity,
  RunArtifactEntity,
  RunEntity,
  SystemPropertyEntity,
  UserEntity,
  WorkerNodeEntity,
} from './entities';
import { Foundation1763800000000 } from './migrations/1763800000000-Foundation';
import { Execution1763800100000 } from './migrations/1763800100000-Execution';
import { Tasks1763800200000 } from './migrations/1763800200000-Tasks';
import { TaskEntity, TaskRunEntity } from './entities/task.entity';
import { Webhooks1763800300000 } from './migrations/1763800300000-Webhooks';
import { JobListingIndex1763800450000 } from './migrations/1763800450000-JobListingIndex';
import { IngestedEventKeys1763800500000 } from './migrations/1763800500000-IngestedEventKeys';
import { WebhookSecretRotation1764120000000 } from './migrations/1764120000000-WebhookSecretRotation';
import { WebhookRetrySchedules1764120000001 } from './migrations/1764120000001-WebhookRetrySchedules';
import { RolesAndUserTypes1764120000002 } from './migrations/1764120000002-RolesAndUserTypes';
import { RoleEntity, UserCustomRoleEntity, UserLicenseTypeEntity } from './entities/role.entity';
import { ItemComments1764120000003 } from './migrations/1764120000003-ItemComments';
import { ItemCommentEntity } from './entities/comment.entity';
import { GroupApplications1764120000004 } from './migrations/1764120000004-GroupApplications';
import { GroupApplicationEntity, GroupInvitationEntity } from './entities/group-application.entity';
import {
  WebhookDeliveryEntity,
  WebhookEntity,
  WebhookEventMarkEntity,
  WebhookFailureEntity,
  WebhookReceiverEntity,
  WebhookSettingsEntity,
} from './entities/webhook.entity';

/** Every entity and migration, listed explicitly so bundling and the CLI see the same set. */
export const ENTITIES = [
  UserEntity,
  GroupEntity,
  GroupMemberEntity,
  ItemEntity,
  ItemShareEntity,
  DomainEventEntity,
  RunEntity,
  RunArtifactEntity,
  SystemPropertyEntity,
  WorkerNodeEntity,
  TaskEntity,
  TaskRunEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  WebhookFailureEntity,
  WebhookEventMarkEntity,
  WebhookSettingsEntity,
  WebhookReceiverEntity,
  RoleEntity,
  UserCustomRoleEntity,
  UserLicenseTypeEntity,
  ItemCommentEntity,
  GroupApplicationEntity,
  GroupInvitationEntity,
];
export const MIGRATIONS = [Foundation1763800000000, Execution1763800100000, Tasks1763800200000, Webhooks1763800300000, JobListingIndex1763800450000, IngestedEventKeys1763800500000, WebhookSecretRotation1764120000000, WebhookRetrySchedules1764120000001, RolesAndUserTypes1764120000002, ItemComments1764120000003, GroupApplications1764120000004];
