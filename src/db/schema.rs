//! Table definitions, kept portable: only types every backend has.

diesel::table! {
    /// Registered accounts.
    users (id) {
        id -> BigInt,
        username -> Text,
        name -> Text,
        email -> Nullable<Text>,
        password_hash -> Text,
        is_admin -> Bool,
        disabled -> Bool,
        created -> BigInt,
        updated -> BigInt,
        email_confirmed -> Bool,
        group_names -> Text,
        external_id -> Nullable<Text>,
        group_ids -> Text,
    }
}

diesel::table! {
    /// Sessions and API tokens, stored as SHA-256 hashes.
    tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created -> BigInt,
        expires -> BigInt,
        kind -> Text,
        title -> Nullable<Text>,
        scopes -> Text,
        last_used -> BigInt,
        ip -> Text,
        user_agent -> Text,
    }
}

diesel::joinable!(tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, tokens);

diesel::table! {
    /// PostgreSQL only: each user's lower-cased username, name and address in one text,
    /// kept by triggers, for the `?s=` search (see its migration).
    users_haystack (id) {
        id -> BigInt,
        haystack -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(users, users_haystack);

diesel::table! {
    /// One row whose update serialises writers on server backends.
    write_lock (id) {
        id -> Integer,
        generation -> BigInt,
    }
}

diesel::table! {
    /// Security events: who did what to whom, from where.
    audit_log (id) {
        id -> BigInt,
        at -> BigInt,
        event -> Text,
        actor_id -> Nullable<BigInt>,
        target_id -> Nullable<BigInt>,
        username -> Nullable<Text>,
        ip -> Text,
        group_name -> Nullable<Text>,
        via -> Nullable<Text>,
    }
}

diesel::table! {
    /// Login and registration counters shared by every instance.
    throttle (subject) {
        subject -> Text,
        events -> Text,
        locked_until -> BigInt,
        lockouts -> Integer,
        pending -> Integer,
        pending_at -> BigInt,
        expires -> BigInt,
    }
}

diesel::table! {
    /// Single-use tokens of reset and confirmation links, stored as SHA-256 hashes.
    mail_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        email -> Text,
        created -> BigInt,
        expires -> BigInt,
    }
}

diesel::table! {
    /// Mails to send, sent and failed: the delivery worker's queue.
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        user_id -> BigInt,
        address -> Text,
        created -> BigInt,
        state -> Text,
        attempts -> Integer,
        next_attempt -> BigInt,
        lease_until -> BigInt,
        last_error -> Nullable<Text>,
        finished -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Groups of users (forward-auth's `group:` rules, `Remote-Groups`, SCIM).
    user_groups (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        created -> BigInt,
        updated -> BigInt,
        external_id -> Nullable<Text>,
    }
}

diesel::table! {
    /// Who is in which group.
    group_members (group_id, user_id) {
        group_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::joinable!(group_members -> user_groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(user_groups, group_members, users);
