/**
 * The routes of the API document itself: /openapi.json and /docs with the renderer's files. Declared apart from
 * their router (openapi.ts), which needs the list of every operation, this one included.
 */
import { z } from 'zod';
import type { Operation } from './operation';

/** The files /docs is made of: swagger-ui-dist's bundle and stylesheet, and the script that starts it. */
export const DOCS_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css', 'docs.js'] as const;

export const getOpenApiDocument: Operation = {
  method: 'get',
  path: '/openapi.json',
  root: true,
  operationId: 'getOpenApiDocument',
  tag: 'Service',
  summary:
    'This document: OpenAPI 3.1, generated from the schemas that validate requests and describe answers',
  access: 'anyone',
  answer: {
    status: 200,
    description: 'The OpenAPI document',
    schema: z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({}), paths: z.looseObject({}) }),
  },
};
export const getDocs: Operation = {
  method: 'get',
  path: '/docs',
  root: true,
  operationId: 'getDocs',
  tag: 'Service',
  summary: 'This document rendered (Swagger UI, served from this server): try any operation with a token',
  access: 'anyone',
  answer: { status: 200, description: 'An HTML page', contentType: 'text/html' },
};
export const getDocsFile: Operation = {
  method: 'get',
  path: '/docs/:file',
  root: true,
  operationId: 'getDocsFile',
  tag: 'Service',
  summary: "A file of /docs: the renderer's script and stylesheet",
  access: 'anyone',
  params: z.strictObject({ file: z.enum(DOCS_FILES) }),
  answer: {
    status: 200,
    description: 'JavaScript or CSS',
    contentType: 'application/javascript',
    otherContentTypes: ['text/css'],
  },
  problems: [404],
};

export const openApiOperations: Operation[] = [getOpenApiDocument, getDocs, getDocsFile];
