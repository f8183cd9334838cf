/* placeholder */
typedef int xi_store_schema_placeholder;
