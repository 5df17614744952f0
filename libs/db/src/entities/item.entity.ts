import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Access } from './group.entity';

@Entity('items')
export class ItemEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ name: 'owner_id', type: 'char', length: 32 })
  ownerId: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'varchar', length: 256 })
  title: string;

  @Column({ type: 'varchar', length: 2048, default: '' })
  snippet: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'varchar', length: 16, default: 'private' })
  access: Access;

  @Column({ name: 'owner_folder', type: 'varchar', length: 128, nullable: true })
  ownerFolder: string | null;

  /** The notebook JSON as uploaded (text, so it round-trips byte for byte); loaded only on demand. */
  @Column({ type: 'text', select: false })
  data: string;

  @Column({ type: 'integer', default: 0 })
  size: number;

  @CreateDateColumn({ type: 'timestamptz' })
  created: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  modified: Date;
}

@Entity('item_group_shares')
export class ItemShareEntity {
  @PrimaryColumn({ name: 'item_id', type: 'char', length: 32 })
  itemId: string;

  @PrimaryColumn({ name: 'group_id', type: 'char', length: 32 })
  groupId: string;
}
