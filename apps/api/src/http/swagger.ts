import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at /api/docs and the OpenAPI document at /api/docs-json (both public). */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('tradedesk')
      .setDescription(
        'Self-hosted trading back end for Binance (USDT) and Upbit (KRW) spot markets. Decimals are JSON strings, times ISO-8601 UTC. ' +
          'Every route except health and these docs needs `Authorization: Bearer <token>`. ' +
          'Errors are `{ statusCode, error, message, code, requestId }` with a stable machine `code`. ' +
          'Bodies are JSON, at most 1 MB (413) and 32 levels of nested objects and arrays (400 `REQUEST.TOO_DEEP`); ' +
          '`__proto__`/`constructor` keys (400 `REQUEST.FORBIDDEN_KEY`), control characters (400 `REQUEST.CONTROL_CHARACTER`) and unknown fields are refused. ' +
          'Requests are limited per client address across all routes (429 with `Retry-After`), wrong tokens more strictly (429 `AUTH.TOO_MANY_FAILURES`). ' +
          'While the database cannot be reached, requests that need it get 503 `DATABASE.UNAVAILABLE` with `Retry-After`.',
      )
      .setVersion('0.1.0')
      // @nestjs/swagger defaults bearerFormat to JWT; ours is an opaque random string the server only hashes and compares.
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description:
          'An opaque API token, not a JWT: `API_TOKEN` (at least 16 characters) or the `td_…` token printed once on first start ' +
          'or by `npm run token:rotate` (which retires the previous one at once). It carries no claims; the server keeps only its hash.',
      })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', yamlDocumentUrl: 'api/docs-yaml' });
}
