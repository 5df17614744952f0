/** The product release whose REST API this server answers as (clients branch on `currentVersion`). */
export const API_VERSION = { currentVersion: '11.3', fullVersion: '11.3.0' } as const;
