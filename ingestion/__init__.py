"""Raw files -> validated warehouse tables: discovery, reading, validation in SQL, loading."""
