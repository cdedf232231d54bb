"""Small reusable widgets shared by panels (each module one widget family, Qt only)."""
