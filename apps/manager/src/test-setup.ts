import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// CI machines are busy: give the page time to settle before a query gives up.
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
});
