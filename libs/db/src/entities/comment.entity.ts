import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A comment on an item (`addComment`). */
@Entity('item_comments')
@Index(['itemId', 'created'])
export class ItemCommentEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ name: 'item_id', type: 'char', length: 32 })
  itemId: string;

  @Column({ name: 'owner_id', type: 'char', length: 32 })
  ownerId: string;

  @Column({ type: 'varchar', length: 128 })
  owner: string;

  @Column({ type: 'text' })
  comment: string;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  modified: Date;
}
