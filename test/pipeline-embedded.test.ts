import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePipeline } from './pipeline.contract.js';

describePipeline('the embedded log', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'periskop-pipeline-'));
  return { section: { type: 'embedded', path: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
