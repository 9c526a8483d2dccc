import { parseConfigText } from '../config/load-config.js';
import { projectionOptions } from './projection-options.js';

describe('projectionOptions', () => {
  it.each([
    ['takes no labels and the default retention from a Go config', 'services: [{name: a}]', [], { '1m': 48 * 3_600_000, '1h': 90 * 86_400_000 }],
    [
      'takes each service’s breakdown_labels and the configured retention',
      'server: {occurrence_retention: {minutes: 1h}}\nservices: [{name: a, breakdown_labels: [version]}, {name: b}]',
      [['a', ['version']]],
      { '1m': 3_600_000, '1h': 90 * 86_400_000 },
    ],
  ])('%s', (_name, yaml, labels, retention) => {
    const options = projectionOptions(parseConfigText(yaml, 'test.yaml'));
    expect([...options.breakdownLabels]).toEqual(labels);
    expect(options.bucketRetentionMs).toEqual(retention);
  });
});
