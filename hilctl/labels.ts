// Label selectors on the client side (`apply -l`, which applies only the matching objects from the files): the
// server's own parser (api/meta/selectors.ts), its errors as hilctl's.
import { parseLabelSelector, SelectorError, type Matcher } from '../api/meta/selectors.js';
import { CliError } from './errors.js';

export function parseSelector(selector: string): Matcher {
  try {
    return parseLabelSelector(selector);
  } catch (err) {
    if (err instanceof SelectorError) throw new CliError(`cannot parse the label selector: ${err.message}`);
    throw err;
  }
}

export function matchesSelector(selector: Matcher, labels: Record<string, string> | undefined): boolean {
  return selector(labels);
}
