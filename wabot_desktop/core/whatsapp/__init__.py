"""WhatsApp Cloud API edge: webhook parsing and signature, Graph API client, typed errors."""
