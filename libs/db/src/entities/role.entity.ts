import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A custom role of the organization (`createRole`): a name and the privileges it grants. */
@Entity('roles')
export class RoleEntity {
  /** 16 characters, like the product's role ids. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 250, default: '' })
  description: string;

  /** As given (`portal:user:createItem`, `premium:user:createNotebooks`, …); this server applies those it has. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  privileges: string[];

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ type: 'timestamptz' })
  modified: Date;
}

/** Which custom role a user holds (none: the user's built-in role alone). */
@Entity('user_custom_roles')
export class UserCustomRoleEntity {
  @PrimaryColumn({ name: 'user_id', type: 'char', length: 32 })
  userId: string;

  @Column({ name: 'role_id', type: 'varchar', length: 32 })
  roleId: string;
}

/** A user's user type (`userLicenseTypeId`); users without a row have the default type. */
@Entity('user_license_types')
export class UserLicenseTypeEntity {
  @PrimaryColumn({ name: 'user_id', type: 'char', length: 32 })
  userId: string;

  @Column({ name: 'license_type', type: 'varchar', length: 64 })
  licenseType: string;
}
