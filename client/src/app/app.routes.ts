import { type Routes, type UrlMatchResult, type UrlSegment, UrlSegment as Segment } from '@angular/router';
import { ErrorDetailPage } from './pages/error-detail-page';
import { NoSelection } from './pages/no-selection';
import { ServicePage } from './pages/service-page';
import { ServicesPage } from './pages/services-page';
import { TargetsPage } from './pages/targets-page';

/** `/:service` (one segment, percent-decoded by the URL serializer). */
export function serviceMatcher(segments: UrlSegment[]): UrlMatchResult | null {
  if (segments.length === 0) return null;
  return { consumed: [segments[0]], posParams: { service: segments[0] } };
}

/** `errors/:key`; a key linked with a raw '/' spans several segments and is joined back. */
export function errorKeyMatcher(segments: UrlSegment[]): UrlMatchResult | null {
  if (segments.length < 2 || segments[0].path !== 'errors') return null;
  const key = segments
    .slice(1)
    .map((s) => s.path)
    .join('/');
  return { consumed: segments, posParams: { key: new Segment(key, {}) } };
}

// The Go UI's hash routes: /#/:service and /#/:service/errors/:encodedKey (Backstage and alert
// annotations link there), plus /#/targets.
export const routes: Routes = [
  { path: '', pathMatch: 'full', component: ServicesPage, title: 'Periskop' },
  { path: 'targets', pathMatch: 'full', component: TargetsPage, title: 'Targets · Periskop' },
  {
    matcher: serviceMatcher,
    component: ServicePage,
    children: [
      { path: '', pathMatch: 'full', component: NoSelection },
      { matcher: errorKeyMatcher, component: ErrorDetailPage },
      { path: '**', redirectTo: '' },
    ],
  },
];
