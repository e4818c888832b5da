"""The AWS landing zone: one ComponentResource per file, composed by `landing_zone.AwsLandingZone`."""
