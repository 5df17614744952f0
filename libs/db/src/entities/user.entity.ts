import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type Role = 'org_admin' | 'org_publisher' | 'org_user';
export const PRIVILEGES = ['createNotebooks', 'scheduleNotebooks'] as const;
export type Privilege = (typeof PRIVILEGES)[number];

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  username: string;

  @Column({ name: 'full_name', type: 'varchar', length: 256, default: '' })
  fullName: string;

  @Column({ type: 'varchar', length: 256, default: '' })
  email: string;

  @Column({ type: 'varchar', length: 32 })
  role: Role;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  privileges: Privilege[];

  @Column({ name: 'password_hash', type: 'varchar', length: 100 })
  passwordHash: string;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  modified: Date;
}
