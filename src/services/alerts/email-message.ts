// Renders an alert event (the stored JSON payload) as an email: subject, plain text and a simple HTML body.
import type { AlertEvent } from '../../domain/alerts/alert-event.js';
import type { EmailChannel } from '../../domain/alerts/rule.js';

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

export const DEFAULT_SUBJECT_PREFIX = 'Tollgate alert';

const TITLES: Record<AlertEvent['type'], string> = {
  low_balance: 'Low balance',
  budget_threshold: 'Budget threshold reached',
  grant_expiring: 'Credits expiring soon',
  spend_spike: 'Spend spike',
  spend_threshold: 'Monthly spend alert',
  runs_out_soon: 'Credits running out soon',
};

/** Reads back a payload built by buildAlertEvent; throws on anything else. */
export function parseAlertEvent(payload: string): AlertEvent {
  const event = JSON.parse(payload) as Partial<AlertEvent>;
  if (event.object !== 'alert.event' || typeof event.summary !== 'string' || typeof event.data !== 'object' || event.data === null) {
    throw new Error('alert payload is not an alert.event');
  }
  return event as AlertEvent;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function renderAlertEmail(event: AlertEvent, channel: EmailChannel): EmailMessage {
  const title = TITLES[event.type] ?? event.type;
  const rows: Array<[string, string]> = [
    ['Alert', title],
    ['Account', event.account_id],
    ['Rule', event.rule_id],
    ...Object.entries(event.data).map(([k, v]): [string, string] => [k, v === null ? '' : String(v)]),
    ['Event', event.id],
    ['Time', new Date(event.created * 1000).toISOString()],
  ];
  const subject = `${channel.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX}: ${title} - ${event.summary}`.replace(/[\r\n]+/g, ' ');
  const text = `${event.summary}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(title)}</h2>`,
    `<p>${escapeHtml(event.summary)}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table></body></html>',
  ].join('\n');
  return { subject, text, html };
}
