import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type Access = 'private' | 'org' | 'public';

@Entity('groups')
export class GroupEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 256 })
  title: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'varchar', length: 2048, default: '' })
  snippet: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'varchar', length: 16, default: 'private' })
  access: Access;

  @Column({ name: 'owner_id', type: 'char', length: 32 })
  ownerId: string;

  @Column({ name: 'is_protected', type: 'boolean', default: false })
  isProtected: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  modified: Date;
}

export type MemberType = 'owner' | 'admin' | 'member';

@Entity('group_members')
export class GroupMemberEntity {
  @PrimaryColumn({ name: 'group_id', type: 'char', length: 32 })
  groupId: string;

  @PrimaryColumn({ name: 'user_id', type: 'char', length: 32 })
  userId: string;

  @Column({ name: 'member_type', type: 'varchar', length: 16, default: 'member' })
  memberType: MemberType;

  @CreateDateColumn({ type: 'timestamptz' })
  joined: Date;
}
