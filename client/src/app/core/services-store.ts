import { Injectable, inject, signal } from '@angular/core';
import { Subscription } from 'rxjs';
import { PeriskopApi, describeHttpError } from '../api/periskop-api';
import { RefreshService } from './refresh';

/** The list of services, shared by the header's switcher and the home page. */
@Injectable({ providedIn: 'root' })
export class ServicesStore {
  private readonly api = inject(PeriskopApi);
  private readonly refresh = inject(RefreshService);
  readonly services = signal<string[] | null>(null);
  readonly error = signal<string | null>(null);
  private request: Subscription | null = null;

  load(): void {
    this.request?.unsubscribe();
    this.request = this.api.services().subscribe({
      next: (services) => {
        this.services.set([...services].sort((a, b) => a.localeCompare(b)));
        this.error.set(null);
        this.refresh.markUpdated();
      },
      error: (error: unknown) => {
        this.error.set(describeHttpError(error, 'the services'));
        this.refresh.markFailed();
      },
    });
  }
}
