"""components/customer: the crew's On my way button and the journey page's customer link panel."""
