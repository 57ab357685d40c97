"""Storage ports: what services need from storage, as typing.Protocols.

One module per concern; adapters (sql/, later mongo/, redis/, files/, s3/)
implement them. Services never see SQL, transactions or driver types: every
port method is one atomic operation, and mutating ones append their sync
events in the same atomic step.
"""
