-- supabase/tests/50_purge.sql — purging tombstones raises the fence.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(13);

create temporary table v (name text primary key, id uuid);
grant all on v to authenticated, anon, service_role;
insert into v values ('a', tests.create_user('purge-a@example.test')),
                     ('b', tests.create_user('purge-b@example.test')),
                     ('old', gen_random_uuid()), ('live', gen_random_uuid());

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

create function pg_temp.seq(p_name text) returns bigint
language sql security definer as $$
  select server_seq from public.contacts where id = pg_temp.id(p_name)
$$;

select tests.authenticate_as(pg_temp.id('a'));
insert into public.contacts (id, master_user_id, phone, last_op_id, deleted)
values (pg_temp.id('old'), pg_temp.id('a'), '628100000001', gen_random_uuid(), true),
       (pg_temp.id('live'), pg_temp.id('a'), '628100000003', gen_random_uuid(), false);
select is(public.sync_state() ->> 'purged_before_seq', '0', 'nothing purged yet');
select tests.clear_authentication();
create temporary table seqs as select pg_temp.seq('old') as old_seq;
grant select on seqs to authenticated;

select tests.authenticate_as(pg_temp.id('a'));
select throws_ok('select public.purge_deleted()', '42501', null, 'users cannot purge');
select tests.authenticate_as_service_role();
select throws_ok('select public.purge_deleted(interval ''-1 day'')', 'XI050', null,
                 'a negative age is invalid_interval');
select is(public.purge_deleted() #>> '{purged,contacts}', '0',
          'tombstones younger than 90 days stay');
select is(public.purge_deleted(interval '0') #>> '{purged,contacts}', '1',
          'the service role purges the tombstone old enough');
select is(public.purge_deleted(interval '0') #>> '{purged,contacts}', '0', 'purging again finds nothing');
select tests.clear_authentication();
select is((select array_agg(id order by id) from public.contacts where master_user_id = pg_temp.id('a')),
          (select array_agg(id order by id) from v where name = 'live'), 'the live row stays');

select tests.authenticate_as(pg_temp.id('a'));
select is((public.sync_state() #>> '{purged,contacts}')::bigint, (select old_seq from seqs),
          'the contacts fence is the purged row''s server_seq');
select is((public.sync_state() ->> 'purged_before_seq')::bigint, (select old_seq from seqs),
          'and so is the tenant''s');
select is(public.sync_state() #>> '{purged,groups}', null, 'other tables have no fence');
select is((select count(*)::int from tests.upsert('contacts',
            jsonb_build_object('id', pg_temp.id('old'), 'master_user_id', pg_temp.id('a'),
                               'phone', '628100000001', 'name', 'Edited offline',
                               'base_version', 1, 'sync_changed', '{name}',
                               'last_op_id', gen_random_uuid()))),
          0, 'a device that slept past the purge cannot bring the row back with an edit');
select is(tests.count_rows('contacts'), 1::bigint, 'it stays gone');
select tests.authenticate_as(pg_temp.id('b'));
select is(public.sync_state() ->> 'purged_before_seq', '0', 'another tenant''s fence is untouched');
select tests.clear_authentication();

select * from finish();
rollback;
