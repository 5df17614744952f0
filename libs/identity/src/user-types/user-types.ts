import { z } from 'zod';

/** The product's user types (ids as its API names them); `creatorUT` is the default of a new member. */
export const USER_TYPES = [
  { id: 'viewerUT', name: 'Viewer' },
  { id: 'contributorUT', name: 'Contributor' },
  { id: 'mobileWorkerUT', name: 'Mobile Worker' },
  { id: 'creatorUT', name: 'Creator' },
  { id: 'GISProfessionalBasicUT', name: 'GIS Professional Basic' },
  { id: 'GISProfessionalStdUT', name: 'GIS Professional Standard' },
  { id: 'GISProfessionalAdvUT', name: 'GIS Professional Advanced' },
] as const;
export const DEFAULT_USER_TYPE = 'creatorUT';

/** One of USER_TYPES' ids (updateUserLicenseType's `userLicenseType`, createUser's `userLicenseTypeId`). */
export const zUserType = z.enum(USER_TYPES.map((t) => t.id) as [string, ...string[]], { errorMap: () => ({ message: `must be one of ${USER_TYPES.map((t) => t.id).join(', ')}` }) });
