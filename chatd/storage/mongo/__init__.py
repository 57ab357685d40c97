"""The MongoDB adapter of the conversation side (storage.messages = "mongodb://..."):
conversations, members, messages with their reactions, attachment metadata
and the sync log. Accounts and contacts stay in the SQL database."""
