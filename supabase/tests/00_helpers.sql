-- supabase/tests/00_helpers.sql — helpers for the other test files.
--
-- Runs first (files run in name order) and, unlike the others, commits:
-- the helpers live in the schema `tests`, which the API never serves. Each
-- later file runs in one transaction and rolls it back.
--
-- A test acts as a user the way PostgREST does: role `authenticated` and
-- the JWT claims in request.jwt.claims, set for the rest of the
-- transaction.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
create extension if not exists pgtap with schema extensions;
select plan(1);

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- A signed-up user (the sign-up trigger makes their profile and quota).
create or replace function tests.create_user(p_email text) returns uuid
language sql security definer set search_path = '' as $$
  insert into auth.users (email, aud, role) values (p_email, 'authenticated', 'authenticated')
  returning id
$$;

-- Requests as p_role with these claims and headers, until the transaction
-- ends or another call here.
create or replace function tests.act_as(p_role text, p_claims jsonb, p_headers jsonb)
returns void
language plpgsql set search_path = '' as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', coalesce(p_claims::text, ''), true);
  perform set_config('request.headers', coalesce(p_headers::text, ''), true);
  if p_role is not null then
    perform set_config('role', p_role, true);
  end if;
end
$$;

-- Requests as this user from this device (the X-Device-Id header).
create or replace function tests.authenticate_as(p_user uuid, p_device uuid default null)
returns void
language sql set search_path = '' as $$
  select tests.act_as('authenticated',
                      jsonb_build_object('sub', p_user, 'role', 'authenticated',
                                         'aud', 'authenticated'),
                      jsonb_strip_nulls(jsonb_build_object('x-device-id', p_device)))
$$;

create or replace function tests.authenticate_as_anon() returns void
language sql set search_path = '' as $$
  select tests.act_as('anon', '{"role": "anon"}', '{}')
$$;

create or replace function tests.authenticate_as_service_role() returns void
language sql set search_path = '' as $$
  select tests.act_as('service_role', '{"role": "service_role"}', '{}')
$$;

-- Back to the superuser the test file started as.
create or replace function tests.clear_authentication() returns void
language sql set search_path = '' as $$
  select tests.act_as(null, null, null)
$$;

-- Makes an owner's other account their staff: invitation and acceptance,
-- as the app does it.
create or replace function tests.make_staff(p_owner uuid, p_staff uuid) returns void
language plpgsql set search_path = '' as $$
declare
  email      text := (select u.email from auth.users u where u.id = p_staff);
  invitation jsonb;
begin
  perform tests.authenticate_as(p_owner);
  invitation := public.invite_staff(email);
  perform tests.authenticate_as(p_staff);
  perform public.accept_staff_invite((invitation #>> '{invitation,id}')::uuid);
  perform tests.clear_authentication();
end
$$;

-- A valid row of each table that devices write, for the generic checks.
create or replace function tests.sample_row(p_table text) returns jsonb
language sql immutable set search_path = '' as $$
  select case p_table
    when 'groups' then '{"name": "VIP"}'
    when 'contacts' then '{"name": "Ani", "phone": "628123456789"}'
    when 'group_members' then jsonb_build_object('group_id', gen_random_uuid(),
                                                 'contact_id', gen_random_uuid())
    when 'templates' then '{"name": "Promo", "variants": ["Halo {name}"]}'
    when 'assets' then jsonb_build_object('name', 'a.jpg', 'mime_type', 'image/jpeg',
                                          'sha256', repeat('ab', 32))
    when 'auto_reply_rules' then '{"name": "Hours", "reply_text": "We open at 9"}'
    when 'history' then '{"kind": "campaign_started"}'
    when 'suppression_events' then '{"phone": "628123456789", "event": "opt_out", "source": "reply"}'
    when 'incoming_messages' then jsonb_build_object('wa_message_id', gen_random_uuid(),
                                                     'from_jid', '628123456789@s.whatsapp.net',
                                                     'received_at', now())
    when 'outgoing_messages' then jsonb_build_object('wa_message_id', gen_random_uuid(),
                                                     'phone', '628123456789', 'kind', 'reply',
                                                     'text', 'Siap, besok dikirim')
    when 'segments' then '{"name": "Jakarta", "conditions": ["city = Jakarta"]}'
    when 'jobs' then '{"name": "December"}'
    when 'job_recipients' then jsonb_build_object('job_id', gen_random_uuid(), 'position', 0,
                                                  'phone', '628123456789')
  end::jsonb
$$;

-- Inserts a sample row into p_table for tenant p_master as whoever is
-- authenticated, naming only the columns given, as PostgREST does; rows of
-- campaigns name p_device as their owner.
create or replace function tests.insert_sample(p_table text, p_master uuid, p_device uuid default null)
returns uuid
language plpgsql set search_path = '' as $$
declare
  row_id uuid := gen_random_uuid();
  fields jsonb := tests.sample_row(p_table)
                  || jsonb_build_object('id', row_id, 'master_user_id', p_master,
                                        'last_op_id', gen_random_uuid())
                  || case when p_table in ('jobs', 'job_recipients')
                          then jsonb_build_object('owner_device_id', p_device)
                          else '{}'::jsonb end;
  cols   text := (select string_agg(format('%I', k), ', ') from jsonb_object_keys(fields) k);
begin
  execute format('insert into public.%I (%s) select %s from jsonb_populate_record(null::public.%I, $1)',
                 p_table, cols, cols, p_table)
    using fields;
  return row_id;
end
$$;

create or replace function tests.count_rows(p_table text) returns bigint
language plpgsql set search_path = '' as $$
declare
  n bigint;
begin
  execute format('select count(*) from public.%I', p_table) into n;
  return n;
end
$$;

-- The synced tables devices write, and their kind.
create or replace function tests.client_tables() returns table (table_name text, kind text)
language sql stable security definer set search_path = '' as $$
  select s.table_name, s.kind from private.synced_tables s where s.kind <> 'server' order by 1
$$;

-- The statement PostgREST runs for POST /rest/v1/<table>?on_conflict=…
-- with Prefer: resolution=merge-duplicates (or ignore-duplicates) and
-- return=representation: every key of the payload is inserted and, on a
-- conflict, set from EXCLUDED. Returns the rows the server answers with.
create or replace function tests.upsert(p_table text, p_row jsonb,
                                        p_on_conflict text default 'id',
                                        p_ignore boolean default false)
returns setof jsonb
language plpgsql set search_path = '' as $$
declare
  cols text := (select string_agg(format('%I', k), ', ') from jsonb_object_keys(p_row) k);
  sets text := (select string_agg(format('%I = excluded.%I', k, k), ', ')
                from jsonb_object_keys(p_row) k);
begin
  return query execute format(
    'insert into public.%I (%s) select %s from jsonb_populate_record(null::public.%I, $1) '
    'on conflict (%s) do %s returning to_jsonb(%I.*)',
    p_table, cols, cols, p_table, p_on_conflict,
    case when p_ignore then 'nothing' else 'update set ' || sets end, p_table)
    using p_row;
end
$$;

-- How many rows a statement touched, as the current role.
create or replace function tests.affected(p_sql text) returns bigint
language plpgsql set search_path = '' as $$
declare
  n bigint;
begin
  execute p_sql;
  get diagnostics n = row_count;
  return n;
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

select has_function('tests', 'authenticate_as', array['uuid', 'uuid'], 'the test helpers are installed');
select * from finish();
commit;
