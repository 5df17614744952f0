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
