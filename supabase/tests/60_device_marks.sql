-- supabase/tests/60_device_marks.sql — each device's mark follows its own
-- writes, only its tenant reads it, and a restore puts it back lower.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(11);

create temporary table v (name text primary key, id uuid);
grant all on v to authenticated, anon, service_role;
insert into v values ('a', tests.create_user('marks-a@example.test')),
                     ('b', tests.create_user('marks-b@example.test')),
                     ('da', gen_random_uuid()), ('da2', gen_random_uuid()),
                     ('db', gen_random_uuid());

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

-- The mark sync_state() gives the caller for device p_device, or null.
create function pg_temp.mark(p_device text) returns bigint
language sql as $$ select (public.sync_state() #>> array['marks', pg_temp.id(p_device)::text])::bigint $$;

-- One contact of p_master pushed as PostgREST would; its server_seq.
create function pg_temp.write(p_master uuid) returns bigint
language sql as $$
  select (tests.upsert('contacts',
            jsonb_build_object('id', gen_random_uuid(), 'master_user_id', p_master,
                               'phone', '6281' || (1000000000 + floor(random() * 8999999999))::bigint,
                               'last_op_id', gen_random_uuid())) ->> 'server_seq')::bigint
$$;

create function pg_temp.last_seq() returns bigint
language sql as $$ select (public.sync_state() ->> 'last_seq')::bigint $$;

select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('da'));
select public.register_device(pg_temp.id('da'), 'Laptop');
select public.register_device(pg_temp.id('da2'), 'Desk');
select tests.authenticate_as(pg_temp.id('b'), pg_temp.id('db'));
select public.register_device(pg_temp.id('db'), 'Shop');

select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('da'));
select is(public.sync_state() -> 'marks', '{}'::jsonb, 'no device has written yet');
select pg_temp.write(pg_temp.id('a'));
select tests.insert_sample('history', pg_temp.id('a'));
select is(pg_temp.mark('da'), pg_temp.last_seq(),
          'a write leaves the device''s mark at the tenant''s counter');
create temporary table saved as select pg_temp.mark('da') as da;
grant select on saved to authenticated;

-- The other device of the account writes: only its own mark moves.
select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('da2'));
select pg_temp.write(pg_temp.id('a'));
select pg_temp.write(pg_temp.id('a'));
select is(pg_temp.mark('da'), (select da from saved), 'another device''s writes leave it alone');
select is(pg_temp.mark('da2'), pg_temp.last_seq(), 'and move that device''s own');

-- Without a registered device nothing is marked.
select tests.authenticate_as(pg_temp.id('a'));
select pg_temp.write(pg_temp.id('a'));
select cmp_ok(pg_temp.mark('da2'), '<', pg_temp.last_seq(), 'a request naming no device marks none');
select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('db'));
select pg_temp.write(pg_temp.id('a'));
select is(public.sync_state() -> 'marks' ? pg_temp.id('db')::text, false,
          'another account''s device id marks nothing');

-- Another tenant sees only its own devices' marks, and nobody reads the
-- table itself.
select tests.authenticate_as(pg_temp.id('b'), pg_temp.id('db'));
select pg_temp.write(pg_temp.id('b'));
select is((select array_agg(k) from jsonb_object_keys(public.sync_state() -> 'marks') k),
          array[pg_temp.id('db')::text], 'a tenant reads only its own devices'' marks');
select throws_ok('select * from private.device_marks', '42501', null,
                 'the marks are not readable directly');

-- A write replayed changes no row, and the mark never goes down.
select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('da'));
create temporary table before_replay as select pg_temp.mark('da') as da;
grant select on before_replay to authenticated;
update public.contacts set name = 'x' where false;
select cmp_ok(pg_temp.mark('da'), '>=', (select da from before_replay),
              'a statement that writes nothing keeps the mark where it was or above');

-- The database goes back to a copy taken before da wrote again: its mark
-- comes back lower than the number its later write was given, however
-- far the counter runs on afterwards.
select tests.clear_authentication();
create temporary table backup as select * from private.device_marks;
create temporary table backup_counter as select * from private.sync_counters;
select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('da'));
create temporary table pushed (seq bigint);
grant all on pushed to authenticated;
insert into pushed select pg_temp.write(pg_temp.id('a'));
select is(pg_temp.mark('da'), (select seq from pushed), 'the push''s own number is the mark');
select tests.clear_authentication();
set local session_replication_role = replica;
delete from private.device_marks;
insert into private.device_marks select * from backup;
update private.sync_counters c set last_seq = k.last_seq from backup_counter k
 where c.master_user_id = k.master_user_id;
set local session_replication_role = origin;
select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('da2'));
select pg_temp.write(pg_temp.id('a')) from generate_series(1, 20);
select cmp_ok(pg_temp.mark('da'), '<', (select seq from pushed),
              'after the restore the mark is below what da was told, though the counter passed it');

select * from finish();
rollback;
