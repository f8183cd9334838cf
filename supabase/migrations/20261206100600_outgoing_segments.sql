-- supabase/migrations/20261206100600_outgoing_segments.sql — the Inbox's
-- own messages and the saved audience filters.
--
-- Both are editable rows like the others. A message written by hand or an
-- automatic reply is created by the computer that sends it, which then
-- moves its state along with the receipts; the others show it in the
-- conversation. Its WhatsApp id is unique in the tenant, as a received
-- message's is. A segment is a name and the conditions as the user typed
-- them; each computer evaluates them against its own copy of the contacts.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

create table public.outgoing_messages (
  like private.synced_row including all,
  wa_message_id text not null check (char_length(wa_message_id) between 1 and 128),
  phone         text not null check (phone ~ '^[1-9][0-9]{6,14}$'),
  contact_id    uuid,
  kind          text not null check (kind in ('reply', 'auto_reply')),
  text          text not null check (char_length(text) <= 65536),
  reply_to      text check (char_length(reply_to) <= 128),
  rule_name     text check (char_length(rule_name) <= 200),
  state         text not null default 'pending'
                  check (state in ('pending', 'sent', 'delivered', 'read', 'failed')),
  last_error    text check (char_length(last_error) <= 1000),
  sent_at       timestamptz,
  delivered_at  timestamptz,
  read_at       timestamptz,
  unique (master_user_id, wa_message_id)
);
select private.setup_synced_table('outgoing_messages', 'editable');
create index outgoing_messages_phone_idx on public.outgoing_messages (master_user_id, phone);

create table public.segments (
  like private.synced_row including all,
  name       text not null check (char_length(name) between 1 and 200),
  conditions text[] not null default '{}'
               check (cardinality(conditions) <= 100
                      and octet_length(conditions::text) <= 65536)
);
select private.setup_synced_table('segments', 'editable');
