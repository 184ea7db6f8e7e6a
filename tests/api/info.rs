use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn info_reports_version_and_open_registration() {
        let app = TestApp::spawn().await;
        let answer = app.get("/info", None).await;
        assert_eq!(
            answer.ok(),
            &json!({
                "version": env!("CARGO_PKG_VERSION"),
                "registrationEnabled": true,
                "mailEnabled": false,
                "emailConfirmation": "off",
            })
        );
    }

    async fn info_reports_closed_registration() {
        let app = TestApp::spawn_with(&[("ROSTER_REGISTRATION", "false")]).await;
        let answer = app.get("/info", None).await;
        assert_eq!(answer.ok()["registrationEnabled"], json!(false));
    }
}
