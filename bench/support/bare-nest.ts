// The "bare NestJS" baseline of bench/orders: a Nest application on the same HTTP adapter as
// tradedesk (fastify), with one controller answering one route and nothing else — no guards,
// pipes, interceptors, helmet or logging. Run as its own process: prints "bare-nest listening <url>".
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller()
class PingController {
  @Get('ping')
  ping(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [PingController] })
class BareModule {}

const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false });
await app.listen(0, '127.0.0.1');
process.stdout.write(`bare-nest listening ${await app.getUrl()}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
