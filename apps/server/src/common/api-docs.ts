// The OpenAPI document and its Swagger page at /docs (/docs-json, /docs-yaml). They describe
// every route, so they sit behind the API token unless DOCS_PUBLIC=true. Swagger serves them
// straight from the HTTP adapter, outside Nest's guards: the token is checked by a middleware
// registered in front of them instead.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { IncomingHttpHeaders } from 'node:http';
import type { ServerConfig } from '../config';
import { BearerToken, UNAUTHORIZED_BODY } from './bearer-token';

const DOCS_PATHS = ['/docs', '/docs-json', '/docs-yaml'];

interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

export function serveApiDocs(app: NestExpressApplication, config: Pick<ServerConfig, 'apiToken' | 'docsPublic'>): void {
  if (!config.docsPublic) {
    const token = new BearerToken(config.apiToken);
    app.use(DOCS_PATHS, (req: { headers: IncomingHttpHeaders }, res: JsonResponse, next: () => void) => {
      if (token.accepts(req.headers.authorization)) next();
      else res.status(401).json(UNAUTHORIZED_BODY);
    });
  }
  // 3.1: its schemas are JSON Schema 2020-12, which is what the zod schemas (one per payload) turn into.
  const docs = new DocumentBuilder().setOpenAPIVersion('3.1.0').setTitle('Portal automation engine').setVersion('1').addBearerAuth().build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs));
}
