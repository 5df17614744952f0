import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's request to join a group (`join`), until an administrator accepts or declines it. */
@Entity('group_applications')
export class GroupApplicationEntity {
  @PrimaryColumn({ name: 'group_id', type: 'char', length: 32 })
  groupId: string;

  @PrimaryColumn({ name: 'user_id', type: 'char', length: 32 })
  userId: string;

  @Column({ type: 'timestamptz' })
  received: Date;
}

/** An invitation to join a group (`invite`), until the user accepts or declines it, or it expires. */
@Entity('group_invitations')
export class GroupInvitationEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ name: 'group_id', type: 'char', length: 32 })
  groupId: string;

  @Column({ name: 'user_id', type: 'char', length: 32 })
  userId: string;

  /** `group_member` or `group_admin`, as the product names the role offered. */
  @Column({ type: 'varchar', length: 16 })
  role: string;

  @Column({ name: 'from_username', type: 'varchar', length: 128 })
  fromUsername: string;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  expires: Date;
}
