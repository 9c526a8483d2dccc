import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, type TestRequest, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { UrlSerializer, provideRouter, withComponentInputBinding, withRouterConfig } from '@angular/router';
import { afterEach, beforeEach, vi } from 'vitest';
import { PlainUrlSerializer } from '../api/url-serializer';
import { routes } from '../app.routes';

/** The app's router (its routes, URL serializer, input binding) over a fake HTTP backend. */
export function configureApp(): HttpTestingController {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      provideRouter(routes, withComponentInputBinding(), withRouterConfig({ paramsInheritanceStrategy: 'always' })),
      { provide: UrlSerializer, useClass: PlainUrlSerializer },
    ],
  });
  return TestBed.inject(HttpTestingController);
}

/** Lets pending microtasks, timers of 0 ms and change detection run. */
export async function settle(fixture?: { whenStable: () => Promise<unknown> }): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await fixture?.whenStable();
  }
}

/** The one open request to `url` (path without the query string). */
export function request(http: HttpTestingController, url: string, method = 'GET'): TestRequest {
  return http.expectOne((r) => r.url === url && r.method === method, `${method} ${url}`);
}

/** For a component test: a fake HTTP backend, checked after each test, and Date.now fixed at `now`. */
export function fakeHttpAt(now: number): { readonly controller: HttpTestingController } {
  const fake = { controller: null as unknown as HttpTestingController };
  beforeEach(() => {
    vi.spyOn(Date, 'now').mockReturnValue(now);
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    fake.controller = TestBed.inject(HttpTestingController);
  });
  afterEach(() => {
    fake.controller.verify();
    vi.restoreAllMocks();
  });
  return fake;
}
