// Marks a route that needs no bearer token (only /health).
import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'engine:isPublic';
export const Public = () => SetMetadata(IS_PUBLIC, true);
