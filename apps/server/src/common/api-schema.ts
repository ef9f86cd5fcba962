// The API documentation is generated from the same zod schemas that validate requests and shape
// responses (one definition each): this turns a schema into the OpenAPI 3.1 (JSON Schema
// 2020-12) object Swagger decorators take.
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { ApiBodyOptions } from '@nestjs/swagger';

/** The OpenAPI schema object the Swagger decorators take. */
type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']>;
import { z } from 'zod/v4';

export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as SchemaObject;
}

/** The body a route accepts. */
export function ApiJsonBody(schema: z.ZodType, required = true) {
  return ApiBody({ required, schema: openApiSchema(schema, 'input') });
}

/** The body a route answers with (200 unless `status` says otherwise). */
export function ApiJsonResponse(schema: z.ZodType, status = 200, description?: string) {
  return status === 200 ? ApiOkResponse({ schema: openApiSchema(schema), description }) : ApiResponse({ status, schema: openApiSchema(schema), description });
}

/** Every field of a query schema as a documented query parameter. */
export function ApiQueryFrom(schema: z.ZodObject) {
  const json = openApiSchema(schema, 'input') as { properties?: Record<string, SchemaObject>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) => ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: property })),
  );
}
