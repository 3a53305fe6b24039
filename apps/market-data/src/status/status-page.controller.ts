import { Controller, Get, Header } from '@nestjs/common';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page.html.js';

/** `GET /status`: a self-contained page (no external asset) fed by the /stream gateway. */
@Controller('status')
export class StatusPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', STATUS_PAGE_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return STATUS_PAGE_HTML;
  }
}
