import type { MigrationObject } from '@mikro-orm/core';
import { InitialSchema } from './initial-schema.js';
import { OccurrenceBuckets } from './occurrence-buckets.js';
import { ErrorBreakdown } from './error-breakdown.js';
import { ErrorOccurrences } from './error-occurrences.js';
import { OccurrencePages } from './occurrence-pages.js';
import { PageStacks } from './page-stacks.js';
import { TargetTotals } from './target-totals.js';

/** Every migration, oldest first. Applied at start; names are stored, so never rename one. */
export const MIGRATIONS: MigrationObject[] = [
  { name: '20261123-initial-schema', class: InitialSchema },
  { name: '20261123-occurrence-buckets', class: OccurrenceBuckets },
  { name: '20261124-error-breakdown', class: ErrorBreakdown },
  { name: '20261124-error-occurrences', class: ErrorOccurrences },
  { name: '20261207-occurrence-pages', class: OccurrencePages },
  { name: '20261208-page-stacks', class: PageStacks },
  { name: '20261209-target-totals', class: TargetTotals },
];
