import { ValidateBy, type ValidationOptions } from 'class-validator';

// eslint-disable-next-line no-control-regex
const LINE_BREAKING_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A one-line text field (a label, a name): no control character at all, tab and line breaks
 * included, since such a value is printed in one line of a list, a log or a notification title.
 * Other control characters are refused for every string of a body already (parseJsonBody).
 */
export function IsSingleLineText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSingleLineText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !LINE_BREAKING_OR_CONTROL.test(value),
        defaultMessage: (args) => `${args?.property ?? 'text'} must be one line of text without control characters (tab, line breaks…)`,
      },
    },
    options,
  );
}
