import {
  DomainEventEntity,
  GroupEntity,
  GroupMemberEntity,
  ItemEntity,
  ItemShareEntity,
  OAuthGrantEntity,
  OAuthSessionEntity,
  RunArtifactEntity,
  RunEntity,
  RunFileEntity,
  RuntimeEntity,
  RuntimeManifestEntity,
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
import { RunReliability1764100000000 } from './migrations/1764100000000-RunReliability';
import { Runtimes1764110000000 } from './migrations/1764110000000-Runtimes';
import { RunFiles1764110000001 } from './migrations/1764110000001-RunFiles';
import { TaskRetriesRunNow1764130000000 } from './migrations/1764130000000-TaskRetriesRunNow';
import { Notifications1764130000001 } from './migrations/1764130000001-Notifications';
import { RunNotifications1764130000002 } from './migrations/1764130000002-RunNotifications';
import { UrlNoticeOutcomes1764140000000 } from './migrations/1764140000000-UrlNoticeOutcomes';
import { ArtifactCompression1764150000000 } from './migrations/1764150000000-ArtifactCompression';
import { OAuth1764090000000 } from './migrations/1764090000000-OAuth';
import { Search1764090000001 } from './migrations/1764090000001-Search';
import { PublisherRole1764090000002 } from './migrations/1764090000002-PublisherRole';
import { ServerSecrets1764100000001 } from './migrations/1764100000001-ServerSecrets';
import { WebhookSecretRotation1764120000000 } from './migrations/1764120000000-WebhookSecretRotation';
import { WebhookRetrySchedules1764120000001 } from './migrations/1764120000001-WebhookRetrySchedules';
import { RolesAndUserTypes1764120000002 } from './migrations/1764120000002-RolesAndUserTypes';
import { RoleEntity, UserCustomRoleEntity, UserLicenseTypeEntity } from './entities/role.entity';
import { ItemComments1764120000003 } from './migrations/1764120000003-ItemComments';
import { ItemCommentEntity } from './entities/comment.entity';
import { GroupApplications1764120000004 } from './migrations/1764120000004-GroupApplications';
import { GroupApplicationEntity } from './entities/group-application.entity';
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
  RuntimeEntity,
  RuntimeManifestEntity,
  RunFileEntity,
  OAuthGrantEntity,
  OAuthSessionEntity,
  RoleEntity,
  UserCustomRoleEntity,
  UserLicenseTypeEntity,
  ItemCommentEntity,
  GroupApplicationEntity,
];
export const MIGRATIONS = [Foundation1763800000000, Execution1763800100000, Tasks1763800200000, Webhooks1763800300000, JobListingIndex1763800450000, IngestedEventKeys1763800500000, OAuth1764090000000, Search1764090000001, PublisherRole1764090000002, RunReliability1764100000000, ServerSecrets1764100000001, Runtimes1764110000000, RunFiles1764110000001, WebhookSecretRotation1764120000000, WebhookRetrySchedules1764120000001, RolesAndUserTypes1764120000002, ItemComments1764120000003, GroupApplications1764120000004, TaskRetriesRunNow1764130000000, Notifications1764130000001, RunNotifications1764130000002, UrlNoticeOutcomes1764140000000, ArtifactCompression1764150000000];
