import { ChangeDetectionStrategy, Component, input, signal } from '@angular/core';
import { copyText } from '../util/clipboard';

/** "Copy" that says "Copied" (or "Copy failed") for a moment. */
@Component({
  selector: 'app-copy-button',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<button type="button" class="btn small copy" [attr.aria-label]="'Copy ' + what()" (click)="copy()">{{ label() }}</button>`,
})
export class CopyButton {
  readonly text = input.required<string>();
  readonly what = input('text');
  protected readonly label = signal('Copy');
  private timer: ReturnType<typeof setTimeout> | null = null;

  protected async copy(): Promise<void> {
    const ok = await copyText(this.text());
    this.label.set(ok ? 'Copied' : 'Copy failed');
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.label.set('Copy'), 1500);
  }
}
