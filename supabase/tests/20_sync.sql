-- supabase/tests/20_sync.sql — the sync triggers: replays, per-field merge,
-- deletes win, no resurrection, server_seq, and the three policies an
-- upsert needs.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(53);

create temporary table v (name text primary key, id uuid, doc jsonb);
grant all on v to authenticated, anon, service_role;
insert into v (name, id) values ('a', tests.create_user('sync-a@example.test')),
                                ('c', gen_random_uuid());

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

-- One push of contact c as PostgREST would run it, remembered as p_name.
create function pg_temp.push(p_name text, p_base bigint, p_changed text[], p_fields jsonb,
                             p_op uuid default gen_random_uuid())
returns integer
language plpgsql as $$
declare
  got jsonb[];
begin
  got := array(select tests.upsert('contacts',
                 jsonb_build_object('id', pg_temp.id('c'), 'master_user_id', pg_temp.id('a'),
                                    'name', '', 'phone', '628111111111', 'notes', null,
                                    'deleted', false, 'base_version', p_base,
                                    'sync_changed', p_changed, 'last_op_id', p_op)
                 || p_fields));
  insert into v (name, doc) values (p_name, got[1]);
  return cardinality(got);
end
$$;

create function pg_temp.doc(p_name text) returns jsonb
language sql stable as $$ select doc from v where name = p_name $$;

create function pg_temp.server() returns jsonb
language sql stable as $$ select to_jsonb(c) from public.contacts c where c.id = pg_temp.id('c') $$;

select tests.authenticate_as(pg_temp.id('a'));

-- Creation and replay
insert into v (name, id) values ('op1', gen_random_uuid());
select is(pg_temp.push('create', 0, '{name,phone}', '{"name": "Ani"}', pg_temp.id('op1')), 1,
          'a new contact is created');
select is(pg_temp.doc('create') ->> 'version', '1', 'its version is 1');
select ok((pg_temp.doc('create') ->> 'server_seq')::bigint > 0, 'it has a server_seq');
select is(pg_temp.doc('create') ->> 'created_by', pg_temp.id('a')::text, 'created_by is the caller');
select is(pg_temp.push('replay', 0, '{name,phone}', '{"name": "Ani"}', pg_temp.id('op1')), 1,
          'replaying the same op answers the row');
select is(pg_temp.doc('replay') - 'updated_at', pg_temp.doc('create') - 'updated_at',
          'and changes nothing: same version, server_seq and fields');
select is(pg_temp.server() ->> 'updated_at', pg_temp.doc('create') ->> 'updated_at',
          'not even updated_at');

-- Device X edits the notes from version 1; device Y, still at version 1,
-- renames and sends its whole (stale) row.
select is(pg_temp.push('x', 1, '{notes}', '{"name": "Ani", "notes": "pays cash"}'), 1, 'X edits notes');
select is(pg_temp.doc('x') ->> 'version', '2', 'version 2');
select is(pg_temp.push('y', 1, '{name}', '{"name": "Ani Rahma", "notes": null}'), 1,
          'Y renames from the stale version 1');
select is(pg_temp.doc('y') ->> 'name', 'Ani Rahma', 'Y''s name is taken');
select is(pg_temp.doc('y') ->> 'notes', 'pays cash', 'X''s notes are kept, not Y''s stale null');
select is(pg_temp.doc('y') ->> 'version', '3', 'version 3');
select ok((pg_temp.doc('y') ->> 'server_seq')::bigint > (pg_temp.doc('x') ->> 'server_seq')::bigint
          and (pg_temp.doc('x') ->> 'server_seq')::bigint > (pg_temp.doc('create') ->> 'server_seq')::bigint,
          'every write gets a higher server_seq');
select is(pg_temp.push('fresh', 3, '{name}', '{"name": "Ani R", "notes": "cash only"}'), 1,
          'an edit from the current version');
select is(pg_temp.doc('fresh') ->> 'notes', 'cash only', 'takes the whole row');
select is(pg_temp.doc('fresh') ->> 'created_at', pg_temp.doc('create') ->> 'created_at',
          'created_at never changes');

-- Deletes win over stale edits
select is(pg_temp.push('del', 4, '{deleted}', '{"name": "Ani R", "notes": "cash only", "deleted": true}'), 1,
          'X deletes');
select ok(pg_temp.doc('del') ->> 'deleted_at' is not null, 'deleted_at is stamped');
select is(pg_temp.push('stale', 3, '{name}', '{"name": "Ani Stale"}'), 0,
          'Y''s stale edit after the delete answers no row');
select is(pg_temp.server() - 'updated_at', pg_temp.doc('del') - 'updated_at',
          'and the row stays deleted and unchanged');
select is(pg_temp.push('stale-full', 2, '{name,notes,deleted}', '{"name": "Back", "deleted": false}'), 0,
          'even a stale edit that tries to undelete');
select is(pg_temp.push('restore', 5, '{deleted}', '{"name": "Ani R", "notes": "cash only"}'), 1,
          'a device that saw the delete may restore the row');
select ok(not (pg_temp.doc('restore') ->> 'deleted')::boolean
          and pg_temp.doc('restore') ->> 'deleted_at' is null, 'restored: not deleted, no deleted_at');

-- A retry that arrives after another device's write is still a retry
insert into v (name, id) values ('op-late', gen_random_uuid());
select is(pg_temp.push('first', 6, '{name}', '{"name": "From A", "notes": "cash only"}', pg_temp.id('op-late')), 1,
          'A renames');
select is(pg_temp.push('between', 6, '{name}', '{"name": "From B", "notes": "cash only"}'), 1,
          'B, from the same version, renames after A');
select is(pg_temp.push('late', 6, '{name}', '{"name": "From A", "notes": "cash only"}', pg_temp.id('op-late')), 1,
          'A''s retry of its rename arrives last');
select is(pg_temp.server() ->> 'name', 'From B', 'and does not undo B''s later rename');

-- A write that names no new op is a replay
select is(tests.affected(format('update public.contacts set name = %L where id = %L', 'Sneaky', pg_temp.id('c'))),
          1::bigint, 'a PATCH without a new last_op_id');
select is(pg_temp.server() ->> 'name', 'From B', 'changes nothing');
select is(tests.affected(format('update public.contacts set name = %L, last_op_id = null where id = %L',
                                'Sneaky', pg_temp.id('c'))),
          1::bigint, 'a PATCH that clears last_op_id');
select is(pg_temp.server() ->> 'name', 'From B', 'changes nothing either');
select is(pg_temp.server() ->> 'version', pg_temp.doc('late') ->> 'version', 'not even the version');

-- No resurrection: an edit of a row the server does not have
select is((select count(*)::int from tests.upsert('contacts',
            jsonb_build_object('id', gen_random_uuid(), 'master_user_id', pg_temp.id('a'),
                               'phone', '628222222222', 'base_version', 7,
                               'sync_changed', '{name}', 'last_op_id', gen_random_uuid()))),
          0, 'an edit (base_version > 0) of a row the server does not have answers no row');
select is(tests.count_rows('contacts'), 1::bigint, 'and creates nothing');

insert into v (name, id) values ('gone', gen_random_uuid()), ('op-gone', gen_random_uuid());
create function pg_temp.create_gone() returns integer
language sql as $$
  select count(*)::int from tests.upsert('contacts',
    jsonb_build_object('id', pg_temp.id('gone'), 'master_user_id', pg_temp.id('a'),
                       'phone', '628333333333', 'base_version', 0, 'last_op_id', pg_temp.id('op-gone')))
$$;
select is(pg_temp.create_gone(), 1, 'a contact is created');
select tests.clear_authentication();
delete from public.contacts where id = pg_temp.id('gone');
select tests.authenticate_as(pg_temp.id('a'));
select is(pg_temp.create_gone(), 0, 'once purged, a late retry of its creation answers no row');
select is(tests.count_rows('contacts'), 1::bigint, 'and does not bring it back');

-- created_by cannot be forged
select is((select r ->> 'created_by' from tests.upsert('groups',
            jsonb_build_object('id', gen_random_uuid(), 'master_user_id', pg_temp.id('a'),
                               'name', 'VIP', 'created_by', gen_random_uuid(),
                               'base_version', 0, 'last_op_id', gen_random_uuid())) r),
          pg_temp.id('a')::text, 'created_by is the caller whatever the client sends');

-- Oversized input is refused with the check that says what is wrong
select throws_like(format('insert into public.contacts (id, master_user_id, phone, custom_fields) '
                          'values (%L, %L, %L, %L)', gen_random_uuid(), pg_temp.id('a'), '628999999999',
                          jsonb_build_object('big', repeat('x', 70000))),
                   '%contacts_custom_fields_check%', 'custom fields over 64 KiB are refused');
select throws_like(format('insert into public.contacts (id, master_user_id, phone) values (%L, %L, %L)',
                          gen_random_uuid(), pg_temp.id('a'), '+62 812'),
                   '%contacts_phone_check%', 'a number that is not E.164 digits is refused');

-- Contacts: one live row per number
select throws_ok(format('insert into public.contacts (id, master_user_id, phone) values (%L, %L, %L)',
                        gen_random_uuid(), pg_temp.id('a'), '628111111111'),
                 '23505', null, 'a second live contact with the same number is refused');
select lives_ok(format('update public.contacts set deleted = true, base_version = version, '
                       'last_op_id = gen_random_uuid() where id = %L', pg_temp.id('c')),
                'the first is deleted');
select is(tests.count_rows('contacts') + (select count(*) from tests.upsert('contacts',
            jsonb_build_object('id', gen_random_uuid(), 'master_user_id', pg_temp.id('a'),
                               'phone', '628111111111', 'base_version', 0,
                               'last_op_id', gen_random_uuid()))),
          2::bigint, 'then the number can be used again');

-- Facts: ignore-duplicates, written once
insert into v (name, id) values ('fact', gen_random_uuid());
select is((select count(*)::int from tests.upsert('suppression_events',
            jsonb_build_object('id', pg_temp.id('fact'), 'master_user_id', pg_temp.id('a'),
                               'phone', '628111111111', 'event', 'opt_out', 'source', 'reply',
                               'last_op_id', pg_temp.id('fact')), 'id', true)),
          1, 'an opt-out is recorded');
select is((select count(*)::int from tests.upsert('suppression_events',
            jsonb_build_object('id', pg_temp.id('fact'), 'master_user_id', pg_temp.id('a'),
                               'phone', '628111111111', 'event', 'opt_in', 'source', 'reply',
                               'last_op_id', pg_temp.id('fact')), 'id', true)),
          0, 'the same event id again is ignored');
select is((select event from public.suppression_events where id = pg_temp.id('fact')), 'opt_out',
          'and cannot rewrite the fact');

-- Link rows merge on their natural key
insert into v (name, id) values ('member', gen_random_uuid()), ('g', gen_random_uuid());
select is((select count(*)::int from tests.upsert('group_members',
            jsonb_build_object('id', pg_temp.id('member'), 'master_user_id', pg_temp.id('a'),
                               'group_id', pg_temp.id('g'), 'contact_id', pg_temp.id('c'),
                               'base_version', 0, 'last_op_id', gen_random_uuid()),
            'group_id, contact_id')), 1, 'a membership is added');
select is((select r ->> 'deleted' from tests.upsert('group_members',
            jsonb_build_object('id', pg_temp.id('member'), 'master_user_id', pg_temp.id('a'),
                               'group_id', pg_temp.id('g'), 'contact_id', pg_temp.id('c'),
                               'deleted', true, 'base_version', 1, 'sync_changed', '{deleted}',
                               'last_op_id', gen_random_uuid()),
            'group_id, contact_id') r), 'true', 'and removed by an upsert on the pair');

-- An upsert needs the SELECT, INSERT and UPDATE policies (PostgreSQL checks
-- the proposed row against the SELECT policy for ON CONFLICT).
select tests.clear_authentication();
drop policy groups_select on public.groups;
select tests.authenticate_as(pg_temp.id('a'));
select lives_ok(format('insert into public.groups (id, master_user_id, name) values (%L, %L, %L)',
                       gen_random_uuid(), pg_temp.id('a'), 'Plain'),
                'without a SELECT policy a plain insert works');
select throws_ok(format('select tests.upsert(%L, %L)', 'groups',
                        jsonb_build_object('id', gen_random_uuid(), 'master_user_id', pg_temp.id('a'),
                                           'name', 'Upserted', 'last_op_id', gen_random_uuid())),
                 '42501', null, 'but an upsert is refused');
select throws_ok(format('insert into public.groups (id, master_user_id, name) values (%L, %L, %L) returning id',
                        gen_random_uuid(), pg_temp.id('a'), 'Returning'),
                 '42501', null, 'and so is an insert returning the row');
select tests.clear_authentication();
create policy groups_select on public.groups for select to authenticated
  using (master_user_id = (select private.current_master_id()));
drop policy groups_update on public.groups;
select tests.authenticate_as(pg_temp.id('a'));
select throws_ok(format('select tests.upsert(%L, %L)', 'groups',
                        jsonb_build_object('id', (select id from public.groups where name = 'Plain'),
                                           'master_user_id', pg_temp.id('a'), 'name', 'Plain 2',
                                           'last_op_id', gen_random_uuid())),
                 '42501', null, 'without an UPDATE policy an upsert of an existing row is refused');
select tests.clear_authentication();

select * from finish();
rollback;
