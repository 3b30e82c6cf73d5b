// The shared selector parser (api/meta/selectors.ts), with its errors as the 400 a real server answers.
import {
  parseFieldSelector as fields,
  parseLabelSelector as labels,
  SelectorError,
  type Matcher,
  type ObjectMatcher,
} from '../api/meta/selectors.js';
import { errors } from './errors.js';

function badRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof SelectorError) throw errors.badRequest(err.message);
    throw err;
  }
}

export const parseLabelSelector = (selector: string | undefined): Matcher => badRequest(() => labels(selector));
export const parseFieldSelector = (selector: string | undefined): ObjectMatcher => badRequest(() => fields(selector));
