import { type ArgumentMetadata, ValidationPipe, type ValidationError as ClassValidatorError } from '@nestjs/common';
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

const PRIMITIVE_TYPES: unknown[] = [String, Boolean, Number, Array, Object];

/**
 * A body declared as a DTO class must be a JSON object: Nest turns `null` into `{}` (a PATCH
 * that changes nothing) and hands arrays and primitives to class-transformer, which answered
 * `[{"label":"x"}]` with a 200.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const declaresObject = typeof metadata.metatype === 'function' && !PRIMITIVE_TYPES.includes(metadata.metatype);
    if (
      metadata.type === 'body' &&
      declaresObject &&
      value !== undefined &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw new ValidationError(
        'REQUEST.BODY_NOT_OBJECT',
        `The body must be a JSON object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`,
      );
    }
    return super.transform(value, metadata);
  }
}

/** Global validation: unknown fields are refused (not silently dropped) and every error names its field. */
export function createValidationPipe(): ValidationPipe {
  return new BodyValidationPipe({
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
