-- supabase/migrations/20261206100100_synced_tables.sql — what devices sync.
--
-- Ids are chosen by the devices (UUIDs), so a row keeps its id from the
-- moment it is created offline. References between synced tables are plain
-- uuids without foreign keys: devices push tables one after another, and a
-- row may arrive before the row it names.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

-- Audience

create table public.groups (
  like private.synced_row including all,
  name        text not null check (char_length(name) between 1 and 200),
  description text check (char_length(description) <= 2000),
  colour      text check (colour ~ '^#[0-9a-fA-F]{6}$')
);
select private.setup_synced_table('groups', 'editable');

-- The id is a UUIDv5 of the master id and the number, so two devices that
-- import the same number create the same row and their writes merge. The
-- opt-out state is not a column here: it is derived from suppression_events,
-- which cannot be overwritten by a device that had not seen it.
create table public.contacts (
  like private.synced_row including all,
  name                   text not null default '' check (char_length(name) <= 200),
  phone                  text not null check (phone ~ '^[1-9][0-9]{6,14}$'),
  lid                    text check (char_length(lid) <= 64),
  tags                   text[] not null default '{}' check (cardinality(tags) <= 100),
  notes                  text check (char_length(notes) <= 10000),
  custom_fields          jsonb not null default '{}'::jsonb
                           check (jsonb_typeof(custom_fields) = 'object'
                                  and octet_length(custom_fields::text) <= 65536),
  on_whatsapp            smallint not null default 0 check (on_whatsapp in (0, 1, 2)),
  on_whatsapp_checked_at timestamptz
);
select private.setup_synced_table('contacts', 'editable');
-- One live contact per number; a number edited into another live contact's
-- is a question for the user (23505), not a retry.
create unique index contacts_live_phone_idx on public.contacts (master_user_id, phone)
  where not deleted;

-- A membership is keyed by its pair; leaving a group sets `deleted`.
create table public.group_members (
  like private.synced_row including all,
  group_id   uuid not null,
  contact_id uuid not null,
  unique (group_id, contact_id)
);
select private.setup_synced_table('group_members', 'editable');
create index group_members_contact_idx on public.group_members (contact_id);

-- Content

create table public.templates (
  like private.synced_row including all,
  name      text not null check (char_length(name) between 1 and 200),
  variants  text[] not null default '{}'
              check (cardinality(variants) <= 50 and octet_length(variants::text) <= 65536),
  asset_ids uuid[] not null default '{}' check (cardinality(asset_ids) <= 20)
);
select private.setup_synced_table('templates', 'editable');

-- Metadata only: the bytes stay on the devices.
create table public.assets (
  like private.synced_row including all,
  name      text not null check (char_length(name) between 1 and 255),
  mime_type text not null check (char_length(mime_type) between 3 and 255),
  size      bigint not null default 0 check (size >= 0),
  sha256    text not null check (sha256 ~ '^[0-9a-f]{64}$')
);
select private.setup_synced_table('assets', 'editable');

create table public.auto_reply_rules (
  like private.synced_row including all,
  name             text not null check (char_length(name) between 1 and 200),
  trigger_kind     text not null default 'keyword' check (trigger_kind in ('keyword', 'any')),
  keywords         text[] not null default '{}' check (cardinality(keywords) <= 100),
  reply_text       text not null check (char_length(reply_text) <= 4096),
  cooldown_seconds integer not null default 86400 check (cooldown_seconds >= 0),
  hours_start      smallint check (hours_start between 0 and 23),
  hours_end        smallint check (hours_end between 0 and 24),
  enabled          boolean not null default true,
  priority         integer not null default 0
);
select private.setup_synced_table('auto_reply_rules', 'editable');

-- Facts: inserted once (upsert with ignore-duplicates), never edited.

create table public.history (
  like private.synced_row including all,
  kind       text not null check (char_length(kind) between 1 and 64),
  job_id     uuid,
  contact_id uuid,
  summary    text not null default '' check (char_length(summary) <= 1000),
  details    jsonb not null default '{}'::jsonb check (octet_length(details::text) <= 65536)
);
select private.setup_synced_table('history', 'append');
create index history_time_idx on public.history (master_user_id, created_at);

-- Opt-outs and opt-ins as events: the latest event of a number decides.
create table public.suppression_events (
  like private.synced_row including all,
  phone      text not null check (phone ~ '^[1-9][0-9]{6,14}$'),
  contact_id uuid,
  event      text not null check (event in ('opt_out', 'opt_in')),
  source     text not null check (source in ('reply', 'manual', 'import', 'sync')),
  keyword    text check (char_length(keyword) <= 100),
  message_id text check (char_length(message_id) <= 128)
);
select private.setup_synced_table('suppression_events', 'append');
create index suppression_events_phone_idx on public.suppression_events (master_user_id, phone);

-- One row per WhatsApp message: a device derives the id from the message
-- id, or pushes with on_conflict=master_user_id,wa_message_id, so two
-- devices that received the same message do not collide.
create table public.incoming_messages (
  like private.synced_row including all,
  wa_message_id text not null check (char_length(wa_message_id) between 1 and 128),
  from_jid      text not null check (char_length(from_jid) between 1 and 128),
  phone         text check (phone ~ '^[1-9][0-9]{6,14}$'),
  contact_id    uuid,
  job_id        uuid,
  text          text check (char_length(text) <= 65536),
  received_at   timestamptz not null,
  unique (master_user_id, wa_message_id)
);
select private.setup_synced_table('incoming_messages', 'append');
create index incoming_messages_time_idx on public.incoming_messages (master_user_id, received_at);
