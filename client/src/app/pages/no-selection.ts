import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'app-no-selection',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="placeholder">
      <p>Select an error to see its occurrences.</p>
      <p class="hint"><kbd>j</kbd>/<kbd>k</kbd> move through the list, <kbd>Enter</kbd> opens, <kbd>/</kbd> searches.</p>
    </div>
  `,
})
export class NoSelection {}
