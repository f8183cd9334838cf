-- supabase/tests/25_created_twice.sql — one customer saved on two devices
-- before either synced: the contact keeps what both knew.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(9);

create temporary table v (name text primary key, id uuid);
grant all on v to authenticated;
insert into v values ('a', tests.create_user('twice-a@example.test')), ('c', gen_random_uuid()),
                     ('op2', gen_random_uuid());

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

-- A push of contact c as PostgREST would run it.
create function pg_temp.push(p_base bigint, p_fields jsonb, p_op uuid default gen_random_uuid())
returns void
language sql as $$
  select count(*) from tests.upsert('contacts',
    jsonb_build_object('id', pg_temp.id('c'), 'master_user_id', pg_temp.id('a'),
                       'phone', '628111111183', 'deleted', false, 'base_version', p_base,
                       'sync_changed', '{name,phone,lid,tags,notes,custom_fields,deleted}'::text[],
                       'last_op_id', p_op) || p_fields);
$$;

create function pg_temp.server() returns public.contacts
language sql stable as $$ select c from public.contacts c where c.id = pg_temp.id('c') $$;

select tests.authenticate_as(pg_temp.id('a'));

select pg_temp.push(0, '{"name": "", "lid": null, "notes": "Pesan pagi",
                         "tags": ["grosir", "jakarta"],
                         "custom_fields": {"kota": "Jakarta", "toko": "Maju"}}');
select pg_temp.push(0, '{"name": "Dewi", "lid": "81234@lid", "notes": "Bayar tunai",
                         "tags": ["vip", "jakarta"],
                         "custom_fields": {"kota": "Bandung", "ultah": "1 Mei"}}',
                    pg_temp.id('op2'));

select is((pg_temp.server()).name, 'Dewi', 'the second device''s name fills an empty one');
select is((pg_temp.server()).notes, E'Pesan pagi\nBayar tunai', 'the notes are joined, first one first');
select is((pg_temp.server()).tags, '{grosir,jakarta,vip}'::text[], 'the tags are united');
select is((pg_temp.server()).custom_fields,
          '{"kota": "Jakarta", "toko": "Maju", "ultah": "1 Mei"}'::jsonb,
          'the fields are united, the first value where both have one');
select is((pg_temp.server()).lid, '81234@lid', 'a missing lid is taken');
select is((pg_temp.server()).version, 2::bigint, 'one write');

select pg_temp.push(0, '{"name": "Dewi", "lid": "81234@lid", "notes": "Bayar tunai",
                         "tags": ["vip", "jakarta"],
                         "custom_fields": {"kota": "Bandung", "ultah": "1 Mei"}}',
                    pg_temp.id('op2'));
select is((pg_temp.server()).version, 2::bigint, 'a replay changes nothing');

select pg_temp.push(2, '{"name": "Dewi", "lid": "81234@lid", "notes": "Bayar tunai",
                         "tags": ["grosir"], "custom_fields": {}}');
select is((pg_temp.server()).tags, '{grosir}'::text[],
          'an edit from the server''s version is taken as it is');

-- An update by filter is no creation, whatever base_version the row
-- holds: it sets what it names.
update public.contacts set notes = 'Lunas', base_version = 0, last_op_id = gen_random_uuid()
 where id = pg_temp.id('c');
select is((pg_temp.server()).notes, 'Lunas', 'an update by filter is not merged as a creation');

select tests.clear_authentication();
select * from finish();
rollback;
