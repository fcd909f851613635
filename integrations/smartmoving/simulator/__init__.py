"""integrations/smartmoving/simulator."""
