-- supabase/tests/70_expected_marks.sql — a write naming a mark its device
-- no longer has on the server is refused whole; nothing else is.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(16);

create temporary table v (name text primary key, id uuid);
grant all on v to authenticated, anon, service_role;
insert into v values ('a', tests.create_user('expect-a@example.test')),
                     ('b', tests.create_user('expect-b@example.test')),
                     ('da', gen_random_uuid()), ('da2', gen_random_uuid()),
                     ('db', gen_random_uuid()), ('row', gen_random_uuid()),
                     ('op', gen_random_uuid()), ('gone', gen_random_uuid());

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

-- Requests as p_user from p_device, expecting p_expected (no header when null).
create function pg_temp.as_device(p_user text, p_device text, p_expected text) returns void
language sql as $$
  select tests.act_as('authenticated',
                      jsonb_build_object('sub', pg_temp.id(p_user), 'role', 'authenticated',
                                         'aud', 'authenticated'),
                      jsonb_strip_nulls(jsonb_build_object('x-device-id', pg_temp.id(p_device),
                                                           'x-expected-mark', p_expected)))
$$;

create function pg_temp.mark(p_device text) returns bigint
language sql as $$ select (public.sync_state() #>> array['marks', pg_temp.id(p_device)::text])::bigint $$;

-- One new contact of account a, as PostgREST would write it.
create function pg_temp.write() returns bigint
language sql as $$
  select (tests.upsert('contacts',
            jsonb_build_object('id', gen_random_uuid(), 'master_user_id', pg_temp.id('a'),
                               'phone', '6281' || (1000000000 + floor(random() * 8999999999))::bigint,
                               'last_op_id', gen_random_uuid())) ->> 'server_seq')::bigint
$$;

-- The same request every time: one contact, one operation.
create function pg_temp.write_same() returns bigint
language sql as $$
  select (tests.upsert('contacts',
            jsonb_build_object('id', pg_temp.id('row'), 'master_user_id', pg_temp.id('a'),
                               'phone', '6281299990001', 'name', 'Ayu',
                               'last_op_id', pg_temp.id('op'))) ->> 'version')::bigint
$$;

create temporary table seen (name text primary key, value bigint);
grant all on seen to authenticated, service_role;

select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('da'));
select public.register_device(pg_temp.id('da'), 'Laptop');
select public.register_device(pg_temp.id('da2'), 'Desk');
select tests.authenticate_as(pg_temp.id('b'), pg_temp.id('db'));
select public.register_device(pg_temp.id('db'), 'Shop');

-- A new device has no mark and expects none.
select pg_temp.as_device('a', 'da', '0');
select lives_ok('select pg_temp.write()', 'a new device''s first write expecting nothing goes through');
select lives_ok('select pg_temp.write_same()', 'and so does its next');
insert into seen select 'da', pg_temp.mark('da');
select pg_temp.as_device('a', 'da', (select value from seen where name = 'da')::text);
select lives_ok('select pg_temp.write()', 'a write expecting the mark the server holds goes through');

-- A request whose reply was lost comes again with the same expectation:
-- the mark its first try raised is above it, and the row stays as it was.
select is(pg_temp.write_same(), 1::bigint, 'a retried request that had committed is taken, as a replay');

-- The other device of the account writes: only its own mark moves, and
-- it expects only its own.
select pg_temp.as_device('a', 'da2', '0');
select pg_temp.write() from generate_series(1, 3);
select pg_temp.as_device('a', 'da', (select value from seen where name = 'da')::text);
select lives_ok('select pg_temp.write()', 'another device''s writes do not trip this one''s expectation');
select pg_temp.as_device('a', 'da2', (pg_temp.mark('da2') + 1)::text);
select throws_ok('select pg_temp.write()', 'XI060', null,
                 'a device expecting more than its own mark is refused');
select pg_temp.as_device('a', 'db', '1');
select throws_ok('select pg_temp.write()', 'XI060', null,
                 'a device the account does not have has no mark to expect');

-- A purge leaves the marks alone.
select pg_temp.as_device('a', 'da', null);
select tests.upsert('contacts', jsonb_build_object('id', pg_temp.id('gone'), 'master_user_id', pg_temp.id('a'),
                                                   'phone', '6281299990002', 'deleted', true,
                                                   'last_op_id', gen_random_uuid()));
select pg_temp.as_device('a', 'da', null);
delete from seen where name = 'da';
insert into seen select 'da', pg_temp.mark('da');
select tests.authenticate_as_service_role();
select is(public.purge_deleted(interval '0') #>> '{purged,contacts}', '1', 'a tombstone is purged');
select pg_temp.as_device('a', 'da', (select value from seen where name = 'da')::text);
select lives_ok('select pg_temp.write()', 'the device''s expectation holds after a purge');

-- The database goes back to a copy from before da's last writes.
select tests.clear_authentication();
create temporary table backup_marks as select * from private.device_marks;
create temporary table backup_counter as select * from private.sync_counters;
select pg_temp.as_device('a', 'da', null);
select pg_temp.write() from generate_series(1, 2);
delete from seen where name = 'da';
insert into seen select 'da', pg_temp.mark('da');
select tests.clear_authentication();
set local session_replication_role = replica;
delete from private.device_marks;
insert into private.device_marks select * from backup_marks;
update private.sync_counters c set last_seq = k.last_seq from backup_counter k
 where c.master_user_id = k.master_user_id;
set local session_replication_role = origin;
insert into seen select 'counter', last_seq from private.sync_counters where master_user_id = pg_temp.id('a');
insert into seen select 'rows', count(*) from public.contacts where master_user_id = pg_temp.id('a');

select pg_temp.as_device('a', 'da', (select value from seen where name = 'da')::text);
select throws_ok('select pg_temp.write()', 'XI060', null,
                 'a write expecting the mark from before the restore is refused');
select throws_ok($$select tests.upsert('contacts', jsonb_build_object('id', pg_temp.id('row'),
                     'master_user_id', pg_temp.id('a'), 'phone', '6281299990001', 'name', 'Ayu Lestari',
                     'last_op_id', gen_random_uuid(), 'base_version', 1))$$,
                 'XI060', null, 'and so is an edit');
select tests.clear_authentication();
select is((select last_seq from private.sync_counters where master_user_id = pg_temp.id('a')),
          (select value from seen where name = 'counter'), 'the refused writes took no number');
select is((select count(*) from public.contacts where master_user_id = pg_temp.id('a')),
          (select value from seen where name = 'rows'), 'and left no row');
select cmp_ok((select pushed_seq from private.device_marks where device_id = pg_temp.id('da')), '<',
              (select value from seen where name = 'da'), 'nor raised the mark back over what da saw');

-- An app that sends no expectation writes as it always did.
select pg_temp.as_device('a', 'da', null);
select lives_ok('select pg_temp.write()', 'a write without the header is not checked');

select pg_temp.as_device('a', 'da', '12 or more');
select throws_ok('select pg_temp.write()', 'XI061', null, 'an expectation that is not a number is refused');

select * from finish();
rollback;
