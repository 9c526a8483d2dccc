import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeHistory } from './history.contract.js';

describeHistory('the embedded log', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'periskop-history-log-'));
  return { section: { type: 'embedded', path: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
