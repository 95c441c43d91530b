import { ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
import { ValidationError } from '../errors/domain-error.js';

/** Flattens nested class-validator errors into `path: problem` lines, e.g. `when.all[1].price.op`. */
export function describeValidationErrors(errors: ClassValidatorError[], parent = ''): Array<{ field: string; problems: string[] }> {
  const out: Array<{ field: string; problems: string[] }> = [];
  for (const error of errors) {
    const segment = /^\d+$/.test(error.property) ? `[${error.property}]` : parent ? `.${error.property}` : error.property;
    const path = `${parent}${segment}`;
    if (error.constraints)
      out.push({ field: path, problems: Object.values(error.constraints).map((p) => p.replace(error.property, path)) });
    if (error.children?.length) out.push(...describeValidationErrors(error.children, path));
  }
  return out;
}

/** Global validation: unknown fields are refused (not silently dropped) and every error names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = describeValidationErrors(errors);
      const message = fields.map((f) => f.problems.join(', ')).join('; ');
      return new ValidationError('REQUEST.VALIDATION_FAILED', message || 'The request is not valid', { fields });
    },
  });
}
