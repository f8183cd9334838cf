-- supabase/migrations/20261206100300_campaigns.sql — campaigns and their
-- recipients, written by one device only.
--
-- A campaign is sent by the device that created it (owner_device_id); the
-- other devices of the tenant follow its progress. Only that device may
-- insert or change the campaign's rows: a request names its device in the
-- X-Device-Id header, and the device must be registered (register_device)
-- in the caller's tenant.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

create table public.jobs (
  like private.synced_row including all,
  owner_device_id      uuid not null,
  name                 text not null default '' check (char_length(name) <= 200),
  template_id          uuid,
  group_id             uuid,
  target_kind          text not null default 'group' check (target_kind in ('group', 'list')),
  delay_mode           text not null default 'random' check (delay_mode in ('static', 'random')),
  delay_min_ms         integer not null default 20000 check (delay_min_ms >= 0),
  delay_max_ms         integer not null default 45000 check (delay_max_ms >= delay_min_ms),
  batch_size           integer not null default 0 check (batch_size >= 0),
  batch_rest_ms        integer not null default 0 check (batch_rest_ms >= 0),
  daily_cap            integer not null default 0 check (daily_cap >= 0),
  variant_mode         text not null default 'random'
                         check (variant_mode in ('random', 'round_robin')),
  priority             integer not null default 0,
  scheduled_at         timestamptz,
  state                text not null default 'pending'
                         check (state in ('pending', 'processing', 'paused', 'retrying',
                                          'completed', 'failed', 'cancelled')),
  transport            text check (char_length(transport) <= 32),
  total                integer not null default 0 check (total >= 0),
  sent                 integer not null default 0 check (sent >= 0),
  failed               integer not null default 0 check (failed >= 0),
  skipped              integer not null default 0 check (skipped >= 0),
  delivered            integer not null default 0 check (delivered >= 0),
  read                 integer not null default 0 check (read >= 0),
  quota_reservation_id uuid,
  started_at           timestamptz,
  finished_at          timestamptz,
  last_error           text check (char_length(last_error) <= 1000)
);
select private.setup_synced_table('jobs', 'single_writer');

-- The message text is not synced: the campaign's template is.
create table public.job_recipients (
  like private.synced_row including all,
  owner_device_id uuid not null,
  job_id          uuid not null,
  contact_id      uuid,
  position        integer not null check (position >= 0),
  phone           text not null check (phone ~ '^[1-9][0-9]{6,14}$'),
  name            text check (char_length(name) <= 200),
  state           text not null default 'pending'
                    check (state in ('pending', 'sending', 'sent', 'delivered', 'read',
                                     'failed', 'skipped')),
  skip_reason     text check (char_length(skip_reason) <= 64),
  attempts        integer not null default 0 check (attempts >= 0),
  last_error      text check (char_length(last_error) <= 1000),
  wa_message_id   text check (char_length(wa_message_id) <= 128),
  variant_index   integer,
  sent_at         timestamptz,
  delivered_at    timestamptz,
  read_at         timestamptz,
  unique (job_id, position)
);
select private.setup_synced_table('job_recipients', 'single_writer');
create index job_recipients_sent_idx on public.job_recipients (master_user_id, sent_at);

-- Reading is the tenant's (the select policy from setup_synced_table);
-- writing is the owning device's.
create policy jobs_insert on public.jobs for insert to authenticated
  with check (master_user_id = (select private.current_master_id())
              and owner_device_id = (select private.current_device_id()));
create policy jobs_update on public.jobs for update to authenticated
  using (master_user_id = (select private.current_master_id())
         and owner_device_id = (select private.current_device_id()))
  with check (master_user_id = (select private.current_master_id())
              and owner_device_id = (select private.current_device_id()));
create policy job_recipients_insert on public.job_recipients for insert to authenticated
  with check (master_user_id = (select private.current_master_id())
              and owner_device_id = (select private.current_device_id()));
create policy job_recipients_update on public.job_recipients for update to authenticated
  using (master_user_id = (select private.current_master_id())
         and owner_device_id = (select private.current_device_id()))
  with check (master_user_id = (select private.current_master_id())
              and owner_device_id = (select private.current_device_id()));
